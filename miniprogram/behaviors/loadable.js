// What every page that shows a server answer has: a state (loading, error, empty, ready), the
// error's message, and retry. A page defines fetch() returning a promise of what to setData.
const api = require('../utils/api')

module.exports = Behavior({
  data: { state: 'loading', error: '' },
  methods: {
    async load() {
      this.setData({ state: 'loading', error: '' })
      try {
        const patch = (await this.fetch()) || {}
        const empty = patch.__empty === true
        delete patch.__empty
        this.setData(Object.assign(patch, { state: empty ? 'empty' : 'ready' }))
      } catch (err) {
        if (err && err.code === 'bind_required') {
          wx.navigateTo({ url: '/pages/login/login?ticket=' + encodeURIComponent(err.data.ticket || '') })
        }
        this.setData({ state: 'error', error: (err && err.message) || '加载失败' })
      }
    },
    retry() {
      return this.load()
    },
    // Runs an action with a loading mask; shows the server's message when it fails.
    async act(title, fn) {
      wx.showLoading({ title, mask: true })
      try {
        const result = await fn()
        wx.hideLoading()
        return result
      } catch (err) {
        wx.hideLoading()
        api.showError(err)
        return undefined
      }
    },
  },
})
