const api = require('../utils/api')
const { calls, settle } = require('./helpers')

beforeEach(() => resetWx())

test('sends the token as the API says and the base URL from config', async () => {
  api.setToken('abc')
  mockApi('GET', 'me/', { ok: 1 })
  await api.get('me/')
  expect(wx.__calls[0].url).toBe('https://whistle.example.cn/api/v1/me/')
  expect(wx.__calls[0].header.Authorization).toBe('Token abc')
})

test('on a 401 signs in again with wx.login and retries once', async () => {
  api.setToken('old')
  mockApi('GET', 'me/', { ok: 1 })
  mockOnce('GET', 'me/', { detail: '身份认证信息未提供。' }, 401)
  mockApi('POST', 'auth/wechat/', { token: 'new', user: {} })
  await expect(api.get('me/')).resolves.toEqual({ ok: 1 })
  expect(calls().map((c) => c.method + ' ' + c.path)).toEqual(['GET me/', 'POST auth/wechat/', 'GET me/'])
  expect(calls()[1].data).toEqual({ code: 'ok-test', device_name: '微信小程序' })
  expect(wx.__calls[2].header.Authorization).toBe('Token new')
})

test('a second 401 is not retried again', async () => {
  mockApi('GET', 'me/', { detail: '令牌无效。' }, 401)
  mockApi('POST', 'auth/wechat/', { token: 'new', user: {} })
  await expect(api.get('me/')).rejects.toMatchObject({ status: 401, message: '令牌无效。' })
  expect(calls().length).toBe(3)
})

test('bind_required carries the ticket', async () => {
  mockApi('POST', 'auth/wechat/', { detail: '请先绑定手机号。', code: 'bind_required', ticket: 't-1' }, 409)
  await expect(api.signIn()).rejects.toMatchObject({ code: 'bind_required', data: { ticket: 't-1' } })
})

test('the Chinese message of a validation error is the first field message', async () => {
  mockApi('POST', 'requests/', { detail: '', code: 'invalid', fields: { title: ['请填写标题。'] } }, 400)
  await expect(api.post('requests/', {})).rejects.toMatchObject({ message: '请填写标题。', status: 400 })
})

test('offline and slow networks have messages of their own', async () => {
  mockFail('GET', 'me/', 'request:fail timeout')
  await expect(api.get('me/')).rejects.toMatchObject({ code: 'timeout', message: '网络较慢，请求超时，请稍后重试。' })
  mockFail('GET', 'boards/', 'request:fail')
  await expect(api.get('boards/')).rejects.toMatchObject({ code: 'offline' })
})

test('showError uses a toast for short messages and a dialog for long ones', () => {
  api.showError(new Error('名额已满'))
  expect(wx.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '名额已满', icon: 'none' }))
  api.showError(new Error('报到二维码无效或已更换，请扫描社区最新的报到二维码。'))
  expect(wx.showModal).toHaveBeenCalledWith(expect.objectContaining({ content: '报到二维码无效或已更换，请扫描社区最新的报到二维码。' }))
})

test('upload sends one file with the token and parses the answer', async () => {
  api.setToken('abc')
  mockApi('UPLOAD', 'requests/7/photos/', { id: 7 }, 201)
  await expect(api.upload('requests/7/photos/', 'wxfile://a.jpg', 'photo')).resolves.toEqual({ id: 7 })
  expect(wx.__uploads[0]).toMatchObject({ name: 'photo', filePath: 'wxfile://a.jpg', header: { Authorization: 'Token abc' } })
  await settle()
})

test('query leaves out empty values', () => {
  expect(api.query({ lat: 24.8, lng: 113.6, coord_system: 'gcj02', duty: '' })).toBe('?lat=24.8&lng=113.6&coord_system=gcj02')
})
