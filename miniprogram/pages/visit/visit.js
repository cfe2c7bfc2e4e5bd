// 到社区报到: scan the QR code posted at the community office (wx.scanCode) and send its token to
// visits/. The code carries the community's token, either bare or as a link with ?token=…
// (and &community=…); without a community the server takes the one I am registered with.
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')

function parseCode(text) {
  const raw = String(text || '').trim()
  const m = raw.match(/[?&]token=([^&#]+)/)
  if (!m) return { token: raw }
  const c = raw.match(/[?&]community=(\d+)/)
  const out = { token: decodeURIComponent(m[1]) }
  if (c) out.community = Number(c[1])
  return out
}

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

module.exports = { parseCode }
