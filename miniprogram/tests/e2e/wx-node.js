// wx.request, wx.uploadFile, wx.login and storage implemented over HTTP in node, so the mini
// program's own request layer (utils/api.js) can be driven against a real server. One object per
// phone: each has its own storage (its own token) and its own wx.login code.
const http = require('http')
const https = require('https')
const fs = require('fs')
const path = require('path')

function send(url, { method, headers, body, timeout }, done) {
  const u = new URL(url)
  const lib = u.protocol === 'https:' ? https : http
  const req = lib.request(u, { method, headers, timeout: timeout || 30000 }, (res) => {
    const chunks = []
    res.on('data', (c) => chunks.push(c))
    res.on('end', () => done(null, res, Buffer.concat(chunks).toString('utf8')))
  })
  req.on('timeout', () => req.destroy(new Error('timeout')))
  req.on('error', (err) => done(err))
  if (body) req.write(body)
  req.end()
}

function makeWx(loginCode) {
  const storage = {}
  return {
    getStorageSync: (k) => (k in storage ? storage[k] : ''),
    setStorageSync: (k, v) => (storage[k] = v),
    removeStorageSync: (k) => delete storage[k],
    login: (o) => o.success({ code: loginCode, errMsg: 'login:ok' }),
    request(o) {
      const method = o.method || 'GET'
      const body = o.data !== undefined && method !== 'GET' ? JSON.stringify(o.data) : null
      const headers = Object.assign({}, o.header)
      if (body) headers['Content-Length'] = Buffer.byteLength(body)
      send(o.url, { method, headers, body, timeout: o.timeout }, (err, res, text) => {
        if (err) return o.fail && o.fail({ errMsg: 'request:fail ' + err.message })
        let data = text
        // As WeChat does with dataType json: parsed when it parses, else the text.
        try {
          data = text ? JSON.parse(text) : ''
        } catch (e) {
          data = text
        }
        o.success && o.success({ statusCode: res.statusCode, data, header: res.headers })
      })
    },
    uploadFile(o) {
      const boundary = '----wxnode' + Date.now().toString(16)
      const parts = []
      Object.keys(o.formData || {}).forEach((k) => {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${o.formData[k]}\r\n`))
      })
      const file = fs.readFileSync(o.filePath)
      const type = /\.png$/i.test(o.filePath) ? 'image/png' : 'image/jpeg'
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${o.name}"; filename="${path.basename(o.filePath)}"\r\nContent-Type: ${type}\r\n\r\n`))
      parts.push(file, Buffer.from(`\r\n--${boundary}--\r\n`))
      const body = Buffer.concat(parts)
      const headers = Object.assign({}, o.header, { 'Content-Type': 'multipart/form-data; boundary=' + boundary, 'Content-Length': body.length })
      send(o.url, { method: 'POST', headers, body, timeout: o.timeout }, (err, res, text) => {
        if (err) return o.fail && o.fail({ errMsg: 'uploadFile:fail ' + err.message })
        // WeChat hands uploadFile's answer over as text.
        o.success && o.success({ statusCode: res.statusCode, data: text })
      })
    },
    showToast() {},
    showModal(o) {
      if (o && o.success) o.success({ confirm: true })
    },
  }
}

module.exports = { makeWx }
