// 我的点单: what I placed or follow (requests/?box=mine), newest first.
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')

Component({
  behaviors: [loadable],
  data: { items: [] },
  methods: {
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async fetch() {
      const page = await api.get('requests/', { box: 'mine', page_size: 50 })
      return { items: page.results, __empty: page.results.length === 0 }
    },
    open(e) {
      wx.navigateTo({ url: '/pages/request/request?id=' + e.currentTarget.dataset.id })
    },
    order() {
      wx.navigateTo({ url: '/pages/order/order' })
    },
  },
})
