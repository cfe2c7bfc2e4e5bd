// The request layer: every call to the server goes through here.
// - the base URL comes from config.js; the token is kept in storage ("token");
// - requests carry "Authorization: Token <token>" (API.md, sign-in);
// - a 401 signs in again with wx.login → auth/wechat/ and retries the call once;
// - errors become ApiError with the server's Chinese message (detail, or the first field message);
// - no network and timeouts become ApiError with a message of our own (offline / slow).
const config = require('../config')

const TOKEN_KEY = 'token'
const TIMEOUT_MS = 15000
const DEVICE_NAME = '微信小程序'

class ApiError extends Error {
  constructor(message, { status = 0, code = '', fields = null, data = null } = {}) {
    super(message)
    this.status = status
    this.code = code
    this.fields = fields
    this.data = data
  }
}

function urlOf(path) {
  if (/^https?:\/\//.test(path)) return path
  return config.baseUrl.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '')
}

function getToken() {
  return wx.getStorageSync(TOKEN_KEY) || ''
}

function setToken(token) {
  if (token) wx.setStorageSync(TOKEN_KEY, token)
  else wx.removeStorageSync(TOKEN_KEY)
}

function headers(auth) {
  const h = { Accept: 'application/json', 'Accept-Language': 'zh-hans' }
  const token = auth && getToken()
  if (token) h.Authorization = 'Token ' + token
  return h
}

function networkError(res) {
  const text = (res && res.errMsg) || ''
  if (/timeout|超时/i.test(text)) {
    return new ApiError('网络较慢，请求超时，请稍后重试。', { code: 'timeout' })
  }
  return new ApiError('网络不可用，请检查网络后重试。', { code: 'offline' })
}

function errorOf(statusCode, data) {
  const body = data && typeof data === 'object' ? data : {}
  let message = body.detail
  if (!message && body.fields) {
    const first = Object.values(body.fields)[0]
    message = Array.isArray(first) ? first[0] : first
  }
  if (!message) {
    if (statusCode === 429) message = '操作太频繁，请稍后再试。'
    else if (statusCode >= 500) message = '服务器暂时不可用，请稍后再试。'
    else if (statusCode === 404) message = '内容不存在或已被删除。'
    else if (statusCode === 403) message = '您没有权限进行此操作。'
    else message = '请求失败（' + statusCode + '），请稍后再试。'
  }
  return new ApiError(message, { status: statusCode, code: body.code || '', fields: body.fields || null, data: body })
}

function send(method, path, data, auth) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: urlOf(path),
      method,
      data: data === undefined ? undefined : data,
      header: Object.assign({ 'Content-Type': 'application/json' }, headers(auth)),
      timeout: TIMEOUT_MS,
      dataType: 'json',
      success: (res) => resolve(res),
      fail: (res) => reject(networkError(res)),
    })
  })
}

function parse(data) {
  if (typeof data !== 'string') return data
  try {
    return JSON.parse(data)
  } catch (e) {
    return {}
  }
}

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : reject(new ApiError('微信登录失败，请重试。', { code: 'login_failed' }))),
      fail: () => reject(new ApiError('微信登录失败，请检查网络后重试。', { code: 'login_failed' })),
    })
  })
}

let signingIn = null

// wx.login → auth/wechat/. A first-time user gets 409 bind_required with a ticket: the error
// carries it (err.code === 'bind_required', err.data.ticket) and the login page binds a phone.
function signIn() {
  if (!signingIn) {
    signingIn = (async () => {
      const code = await wxLogin()
      const res = await send('POST', 'auth/wechat/', { code, device_name: DEVICE_NAME }, false)
      if (res.statusCode === 200 || res.statusCode === 201) {
        setToken(res.data.token)
        return res.data
      }
      throw errorOf(res.statusCode, res.data)
    })()
    signingIn.then(
      () => (signingIn = null),
      () => (signingIn = null)
    )
  }
  return signingIn
}

async function bindPhone({ ticket, phone, code }) {
  const data = await request('POST', 'auth/wechat/bind/', { ticket, phone, code, device_name: DEVICE_NAME }, { auth: false })
  setToken(data.token)
  return data
}

function sendCode(phone) {
  return request('POST', 'auth/code/', { phone }, { auth: false })
}

async function request(method, path, data, { auth = true, retried = false } = {}) {
  const res = await send(method, path, data, auth)
  if (res.statusCode === 401 && auth && !retried) {
    await signIn()
    return request(method, path, data, { auth, retried: true })
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res.data === '' ? null : parse(res.data)
  throw errorOf(res.statusCode, parse(res.data))
}

// One file per call (wx.uploadFile sends one); the answer is text, parsed here.
function upload(path, filePath, name, formData, { retried = false } = {}) {
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: urlOf(path),
      filePath,
      name,
      formData: formData || {},
      header: headers(true),
      timeout: 60000,
      success: (res) => resolve(res),
      fail: (res) => reject(networkError(res)),
    })
  }).then(async (res) => {
    const data = parse(res.data)
    if (res.statusCode === 401 && !retried) {
      await signIn()
      return upload(path, filePath, name, formData, { retried: true })
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return data
    throw errorOf(res.statusCode, data)
  })
}

// A query string for GET paths; GCJ-02 locations go out with coord_system=gcj02.
function query(params) {
  const parts = []
  Object.keys(params || {}).forEach((k) => {
    const v = params[k]
    if (v !== undefined && v !== null && v !== '') parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v))
  })
  return parts.length ? '?' + parts.join('&') : ''
}

// The server's message, shown as WeChat users expect: a toast for short ones, a dialog for long.
function showError(err) {
  const message = (err && err.message) || '操作失败，请稍后再试。'
  if (message.length <= 14) wx.showToast({ title: message, icon: 'none', duration: 2500 })
  else wx.showModal({ title: '提示', content: message, showCancel: false, confirmText: '知道了' })
}

module.exports = {
  ApiError,
  TOKEN_KEY,
  urlOf,
  getToken,
  setToken,
  signIn,
  bindPhone,
  sendCode,
  request,
  get: (path, params) => request('GET', path + query(params)),
  post: (path, data) => request('POST', path, data === undefined ? {} : data),
  del: (path) => request('DELETE', path),
  upload,
  query,
  showError,
}
