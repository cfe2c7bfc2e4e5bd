// 首页: who I am and what I can do here — residents order, members find tasks and report for
// duty, community secretaries review. Entries follow the posts and profile me/ answers.
const loadable = require('../../behaviors/loadable')
const session = require('../../utils/session')

Component({
  behaviors: [loadable],
  data: { me: null, roles: { member: false, staff: false } },
  methods: {
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async fetch() {
      const me = await session.load(true)
      return { me, roles: session.roles(me) }
    },
    go(e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    },
  },
})
