// 确认服务时长 (community secretary): the pending records in my community
// (service-records/?status=pending) confirmed as clocked, or with the minutes corrected and a reason.
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
      const page = await api.get('service-records/', { status: 'pending', page_size: 50 })
      return { items: page.results, __empty: page.results.length === 0 }
    },
    async confirm(e) {
      const id = e.currentTarget.dataset.id
      if (await this.act('正在确认', () => api.post('service-records/' + id + '/confirm/', {}))) {
        wx.showToast({ title: '已确认', icon: 'success' })
        this.load()
      }
    },
    correct(e) {
      const id = e.currentTarget.dataset.id
      wx.showModal({
        title: '更正时长（分钟）',
        editable: true,
        placeholderText: '认定的分钟数',
        success: async (r) => {
          if (!r.confirm) return
          const minutes = Number((r.content || '').trim())
          if (!Number.isInteger(minutes) || minutes < 0) return wx.showToast({ title: '请输入分钟数', icon: 'none' })
          const body = { minutes, reason: '社区核实后更正' }
          if (await this.act('正在确认', () => api.post('service-records/' + id + '/confirm/', body))) this.load()
        },
      })
    },
  },
})
