const path = require('path')
const simulate = require('miniprogram-simulate')

const ROOT = path.join(__dirname, '..')
// Pages are compiled with the simulator's own WXML compiler: the official wcc it can call
// mis-compiles some templates here (j-component then fails on its output). Global components
// (app.json's mp-loading) and the privacy popup are stubs, as the simulator loads no app.json.
const popup = simulate.load({ template: '<view class="privacy-popup-stub"></view>' })
const loading = simulate.load({ template: '<view class="weui-loading"></view>', properties: { show: Boolean, type: String } })
const ids = {}

function render(page) {
  if (!ids[page]) {
    ids[page] = simulate.load(path.join(ROOT, 'pages', page, page), { compiler: 'simulate', usingComponents: { 'privacy-popup': popup, 'mp-loading': loading } })
  }
  const comp = simulate.render(ids[page])
  comp.attach(document.createElement('parent-wrapper'))
  return comp
}

async function settle() {
  for (let i = 0; i < 6; i++) await flush()
}

function calls() {
  return wx.__calls.map((c) => ({ method: c.method, path: c.url.replace(/^.*\/api\/v1\//, ''), data: c.data }))
}

function lastCall(method) {
  const all = calls().filter((c) => !method || c.method === method)
  return all[all.length - 1]
}

function tap(comp, selector) {
  const node = comp.querySelector(selector)
  if (!node) throw new Error('no ' + selector)
  node.dispatchEvent('tap')
}

function page(results) {
  return { count: results.length, next: null, previous: null, results }
}

module.exports = { render, settle, calls, lastCall, tap, page, simulate }
