// 我的服务时长: the year against the rules (me/quota/: 20 hours outside working hours, a visit
// each quarter) and the records behind it (service-records/?mine=1).
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')

Component({
  behaviors: [loadable],
  data: { quota: null, items: [] },
  methods: {
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async fetch() {
      const [quota, records] = await Promise.all([api.get('me/quota/'), api.get('service-records/', { mine: 1, page_size: 50 })])
      return { quota, items: records.results }
    },
  },
})
