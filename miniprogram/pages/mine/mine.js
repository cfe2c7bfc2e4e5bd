// 我的: my account and posts, and signing out of this device (auth/logout/).
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')
const session = require('../../utils/session')

Component({
  behaviors: [loadable],
  data: { me: null, roles: { member: false, staff: false } },
  methods: {
    onShow() {
      this.load()
    },
    async fetch() {
      const me = await session.load(true)
      return { me, roles: session.roles(me) }
    },
    go(e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    },
    logout() {
      wx.showModal({
        title: '退出登录',
        content: '确定退出登录吗？',
        success: async (r) => {
          if (!r.confirm) return
          await api.post('auth/logout/').catch(() => null)
          session.clear()
          wx.reLaunch({ url: '/pages/login/login' })
        },
      })
    },
  },
})
