// 榜单: the five boards (boards/), a board's Top 50 (boards/{board}/) and my place on it even
// outside the Top 50 (boards/{board}/me/).
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')

Component({
  behaviors: [loadable],
  data: { boards: [], current: '', top: null, mine: [], note: '' },
  methods: {
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async fetch() {
      const list = await api.get('boards/')
      const current = this.data.current || (list.results[0] && list.results[0].board) || ''
      const patch = await this.boardData(current)
      return Object.assign({ boards: list.results, current, __empty: !list.results.length }, patch)
    },
    async boardData(board) {
      if (!board) return { top: null, mine: [], note: '' }
      const [top, me] = await Promise.all([
        api.get('boards/' + board + '/'),
        api.get('boards/' + board + '/me/').catch(() => ({ results: [], note: '' })),
      ])
      return { top, mine: me.results || [], note: me.note || '' }
    },
    async pick(e) {
      const board = e.currentTarget.dataset.board
      this.setData({ current: board })
      wx.showLoading({ title: '加载中' })
      try {
        this.setData(await this.boardData(board))
      } catch (err) {
        api.showError(err)
      }
      wx.hideLoading()
    },
  },
})
