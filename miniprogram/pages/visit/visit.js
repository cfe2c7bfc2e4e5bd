// 到社区报到: scan the QR code posted at the community office (wx.scanCode) and send its token to
// visits/ (method qr).
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')
const { parseCode } = require('../../utils/qr')

Component({
  behaviors: [loadable],
  data: { items: [] },
  methods: {
    onShow() {
      this.load()
    },
    async fetch() {
      const page = await api.get('visits/', { mine: 1, page_size: 20 })
      return { items: page.results, __empty: page.results.length === 0 }
    },
    scan() {
      wx.scanCode({
        onlyFromCamera: true,
        scanType: ['qrCode'],
        success: async (res) => {
          const body = Object.assign({ method: 'qr' }, parseCode(res.result))
          const visit = await this.act('正在报到', () => api.post('visits/', body))
          if (visit) {
            wx.showToast({ title: '报到成功', icon: 'success' })
            this.load()
          }
        },
      })
    },
  },
})
