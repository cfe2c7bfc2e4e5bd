// 报到之星 card: my stars (me/stars/) and my place on the month's 报到之星 board
// (boards/stars/me/), drawn on a 2d canvas and saved to the album after asking for
// scope.writePhotosAlbum (a user who refused once is sent to the settings page).
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')
const session = require('../../utils/session')

const W = 600
const H = 800

function albumAllowed() {
  return new Promise((resolve) => {
    wx.getSetting({
      success: (res) => {
        const granted = res.authSetting['scope.writePhotosAlbum']
        if (granted === true) return resolve(true)
        if (granted === false) {
          return wx.showModal({
            title: '需要相册权限',
            content: '保存卡片需要“保存到相册”权限，请在设置中开启。',
            confirmText: '去设置',
            success: (r) => (r.confirm ? wx.openSetting({ complete: () => resolve(false) }) : resolve(false)),
          })
        }
        wx.authorize({ scope: 'scope.writePhotosAlbum', success: () => resolve(true), fail: () => resolve(false) })
      },
      fail: () => resolve(false),
    })
  })
}

Component({
  behaviors: [loadable],
  data: { name: '', stars: null, entry: null, saving: false },
  methods: {
    async onLoad() {
      await this.load()
      if (this.data.state === 'ready') this.draw() // the preview; drawn again before saving
    },
    async fetch() {
      const [me, stars, board] = await Promise.all([
        session.load(),
        api.get('me/stars/'),
        api.get('boards/stars/me/').catch(() => ({ results: [] })),
      ])
      const entry = (board.results || [])[0] || null
      return { name: me.user.name, stars: stars.stars, entry }
    },
    draw() {
      return new Promise((resolve) => {
        this.createSelectorQuery()
          .select('#card')
          .fields({ node: true, size: true })
          .exec((res) => {
            const canvas = res && res[0] && res[0].node
            if (!canvas) return resolve(null)
            const dpr = (wx.getWindowInfo ? wx.getWindowInfo().pixelRatio : 2) || 2
            canvas.width = W * dpr
            canvas.height = H * dpr
            const ctx = canvas.getContext('2d')
            ctx.scale(dpr, dpr)
            ctx.fillStyle = '#c62f2f'
            ctx.fillRect(0, 0, W, H)
            ctx.fillStyle = '#fff8e1'
            ctx.fillRect(30, 30, W - 60, H - 60)
            ctx.fillStyle = '#c62f2f'
            ctx.textAlign = 'center'
            ctx.font = 'bold 48px sans-serif'
            ctx.fillText('报到之星', W / 2, 140)
            ctx.font = 'bold 40px sans-serif'
            ctx.fillText(this.data.name || '', W / 2, 240)
            const n = (this.data.stars && this.data.stars.stars) || 0
            ctx.font = '56px sans-serif'
            ctx.fillStyle = '#f5a623'
            ctx.fillText('★'.repeat(n) + '☆'.repeat(5 - n), W / 2, 340)
            ctx.fillStyle = '#333'
            ctx.font = '28px sans-serif'
            const s = this.data.stars
            if (s) {
              ctx.fillText(s.year + ' 年服务 ' + s.hours + ' 小时 · 报到 ' + s.quarters + ' 个季度', W / 2, 430)
              ctx.fillText('办结 ' + s.outcomes + ' 件 · 群众点赞 ' + s.likes + ' 个', W / 2, 480)
            }
            if (this.data.entry) ctx.fillText('本月报到之星榜第 ' + this.data.entry.rank + ' 名', W / 2, 550)
            ctx.fillStyle = '#888'
            ctx.font = '24px sans-serif'
            ctx.fillText('韶关社区吹哨报到', W / 2, H - 80)
            resolve(canvas)
          })
      })
    },
    async save() {
      this.setData({ saving: true })
      const allowed = await albumAllowed()
      if (!allowed) {
        this.setData({ saving: false })
        return
      }
      const canvas = await this.draw()
      wx.canvasToTempFilePath({
        canvas,
        fileType: 'png',
        success: (res) =>
          wx.saveImageToPhotosAlbum({
            filePath: res.tempFilePath,
            success: () => wx.showToast({ title: '已保存到相册', icon: 'success' }),
            fail: () => wx.showToast({ title: '保存失败，请重试', icon: 'none' }),
            complete: () => this.setData({ saving: false }),
          }),
        fail: () => {
          this.setData({ saving: false })
          wx.showToast({ title: '卡片生成失败', icon: 'none' })
        },
      })
    },
  },
})
