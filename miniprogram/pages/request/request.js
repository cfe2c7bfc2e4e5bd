// 点单详情: status, photos and the timeline; the requester confirms it solved, rates it (1–5 星)
// and likes the members who served, or reopens it.
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')

Component({
  behaviors: [loadable],
  data: { id: null, row: null, score: 5, comment: '', liked: {}, reopenReason: '' },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      this.load()
    },
    async fetch() {
      const row = await api.get('requests/' + this.data.id + '/')
      const liked = {}
      ;(row.served_members || []).forEach((m) => (liked[m.member_id] = true))
      return { row, liked }
    },
    preview(e) {
      wx.previewImage({ urls: this.data.row.photos.map((p) => p.url), current: e.currentTarget.dataset.url })
    },
    setScore(e) {
      this.setData({ score: Number(e.currentTarget.dataset.score) })
    },
    onComment(e) {
      this.setData({ comment: e.detail.value })
    },
    onReason(e) {
      this.setData({ reopenReason: e.detail.value })
    },
    toggleLike(e) {
      const id = e.currentTarget.dataset.id
      this.setData({ ['liked.' + id]: !this.data.liked[id] })
    },
    async confirm() {
      const row = await this.act('正在确认', () => api.post('requests/' + this.data.id + '/confirm/'))
      if (row) this.setData({ row })
    },
    async rate() {
      const liked = Object.keys(this.data.liked).filter((k) => this.data.liked[k]).map(Number)
      const body = { score: this.data.score, comment: this.data.comment.trim(), liked_members: liked }
      const row = await this.act('正在提交', () => api.post('requests/' + this.data.id + '/rate/', body))
      if (row) {
        this.setData({ row })
        wx.showToast({ title: '感谢您的评价', icon: 'success' })
      }
    },
    async reopen() {
      const reason = this.data.reopenReason.trim()
      if (!reason) return wx.showToast({ title: '请说明还存在的问题', icon: 'none' })
      const row = await this.act('正在提交', () => api.post('requests/' + this.data.id + '/reopen/', { reason }))
      if (row) this.setData({ row, reopenReason: '' })
    },
  },
})
