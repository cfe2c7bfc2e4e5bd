#!/usr/bin/env node
// Builds miniprogram/miniprogram_npm/ the way WeChat DevTools' "构建 npm" does for this project:
// each runtime dependency's miniprogram_dist copied to miniprogram_npm/<name>/. Run after
// `npm ci` in miniprogram/ (make miniprogram does both); the result is not committed.
const fs = require('fs')
const path = require('path')

const root = path.resolve(__dirname, '..', 'miniprogram')
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const out = path.join(root, 'miniprogram_npm')
fs.rmSync(out, { recursive: true, force: true })
for (const name of Object.keys(pkg.dependencies || {})) {
  const dist = path.join(root, 'node_modules', name, 'miniprogram_dist')
  if (!fs.existsSync(dist)) {
    console.error(`${name}: ${dist} is missing; run npm ci in miniprogram/ first`)
    process.exit(1)
  }
  fs.cpSync(dist, path.join(out, name), { recursive: true })
  console.log(`miniprogram_npm/${name} <- node_modules/${name}/miniprogram_dist`)
}
