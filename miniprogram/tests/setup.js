// A simulated wx: storage in memory, and wx.request answered by the routes a test sets with
// mockApi(). Every call is recorded in wx.__calls so tests can check path, method and body.
const routes = []
const storage = {}

function reset() {
  routes.length = 0
  Object.keys(storage).forEach((k) => delete storage[k])
  global.wx.__calls.length = 0
  global.wx.__uploads.length = 0
}

function answerFor(method, url) {
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]
    if (r.method === method && (typeof r.path === 'string' ? url.endsWith('/api/v1/' + r.path) : r.path.test(url))) return r
  }
  return null
}

const calls = []
const uploads = []
const log = [] // every call of the file, never reset (tests/record.js)
global.wx = {
  __calls: calls,
  __uploads: uploads,
  __log: log,
  getStorageSync: (k) => (k in storage ? storage[k] : ''),
  setStorageSync: (k, v) => (storage[k] = v),
  removeStorageSync: (k) => delete storage[k],
  request(opts) {
    const method = opts.method || 'GET'
    calls.push({ method, url: opts.url, data: opts.data, header: opts.header })
    log.push({ kind: 'request', method, url: opts.url, data: opts.data === undefined ? null : opts.data })
    const route = answerFor(method, opts.url)
    if (route && route.once) routes.splice(routes.indexOf(route), 1)
    setTimeout(() => {
      if (!route) return opts.fail && opts.fail({ errMsg: 'request:fail no route ' + method + ' ' + opts.url })
      if (route.fail) return opts.fail && opts.fail({ errMsg: route.fail })
      opts.success && opts.success({ statusCode: route.status || 200, data: route.body })
    }, 0)
  },
  uploadFile(opts) {
    uploads.push({ url: opts.url, filePath: opts.filePath, name: opts.name, header: opts.header })
    log.push({ kind: 'upload', method: 'POST', url: opts.url, name: opts.name, formData: opts.formData || {} })
    const route = answerFor('UPLOAD', opts.url)
    setTimeout(() => opts.success({ statusCode: route ? route.status || 201 : 201, data: JSON.stringify(route ? route.body : {}) }), 0)
  },
  login: jest.fn((o) => o.success({ code: 'ok-test' })),
  showToast: jest.fn(),
  showModal: jest.fn((o) => o.success && o.success({ confirm: true, content: o.editable ? '理由' : undefined })),
  showLoading: jest.fn(),
  hideLoading: jest.fn(),
  navigateTo: jest.fn(),
  redirectTo: jest.fn(),
  switchTab: jest.fn(),
  reLaunch: jest.fn(),
  navigateBack: jest.fn(),
  stopPullDownRefresh: jest.fn(),
  getLocation: jest.fn((o) => o.success({ latitude: 24.8006, longitude: 113.5963 })),
  chooseLocation: jest.fn((o) => o.success({ latitude: 24.8006, longitude: 113.5963, name: '工业中社区', address: '韶关市浈江区' })),
  chooseMedia: jest.fn((o) => o.success({ tempFiles: [{ tempFilePath: 'wxfile://a.jpg' }, { tempFilePath: 'wxfile://b.jpg' }] })),
  scanCode: jest.fn((o) => o.success({ result: 'qr-token-1' })),
  requestSubscribeMessage: jest.fn((o) => o.success({})),
  getSetting: jest.fn((o) => o.success({ authSetting: {} })),
  authorize: jest.fn((o) => o.success({})),
  openSetting: jest.fn((o) => o.complete && o.complete()),
  saveImageToPhotosAlbum: jest.fn((o) => o.success({})),
  canvasToTempFilePath: jest.fn((o) => o.success({ tempFilePath: 'wxfile://card.png' })),
  onNeedPrivacyAuthorization: jest.fn(),
  openPrivacyContract: jest.fn(),
  previewImage: jest.fn(),
}

global.mockApi = (method, path, body, status) => routes.push({ method, path, body, status })
// Answers the next matching call only (then the earlier routes answer again).
global.mockOnce = (method, path, body, status) => routes.push({ method, path, body, status, once: true })
global.mockFail = (method, path, errMsg) => routes.push({ method, path, fail: errMsg || 'request:fail' })
global.resetWx = reset
global.flush = () => new Promise((r) => setTimeout(r, 5))
