// 任务大厅: the tasks I can take, nearest first from where I am (GCJ-02 from wx.getLocation;
// without a location the server orders them from my home).
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')
const location = require('../../utils/location')

Component({
  behaviors: [loadable],
  data: { items: [], located: false },
  methods: {
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async fetch() {
      let here = null
      try {
        here = await location.current({ quiet: true })
      } catch (e) {
        here = null // the hall still works from the home address
      }
      const params = { page_size: 50 }
      if (here) Object.assign(params, { lat: here.lat, lng: here.lng, coord_system: here.coord_system })
      const page = await api.get('tasks/hall/', params)
      const items = page.results.map((t) =>
        Object.assign({}, t, { distance: t.distance_m == null ? '' : t.distance_m < 1000 ? t.distance_m + ' 米' : (t.distance_m / 1000).toFixed(1) + ' 公里' })
      )
      return { items, located: !!here, __empty: items.length === 0 }
    },
    open(e) {
      wx.navigateTo({ url: '/pages/task/task?id=' + e.currentTarget.dataset.id })
    },
  },
})
