// Who is signed in (me/), kept for the session so pages can show the right entries, and the
// subscribe-message template ids the server names (the client holds none of its own).
const api = require('./api')

let me = null

async function load(force) {
  if (me && !force) return me
  me = await api.get('me/')
  wx.setStorageSync('subscribe_template_ids', me.subscribe_template_ids || [])
  return me
}

function roles(body) {
  const posts = (body && body.posts) || []
  return {
    member: !!(body && body.member),
    staff: posts.some((p) => p.node_kind === 'community' || p.node_kind === 'grid'),
  }
}

function clear() {
  me = null
  api.setToken('')
}

// Asked in the tap that places a request (WeChat allows it only in a tap): one-off consent to
// be told of the request's progress. A refusal changes nothing else.
function subscribe() {
  const ids = wx.getStorageSync('subscribe_template_ids') || []
  if (!ids.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve(null)
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({ tmplIds: ids, success: resolve, fail: () => resolve(null) })
  })
}

module.exports = { load, roles, clear, subscribe }
