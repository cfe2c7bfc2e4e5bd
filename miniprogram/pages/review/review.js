// 待审核点单 (community secretary): the review box (requests/?box=review), each request approved
// into a new task (approve/), rejected with a reason (reject/) or merged into another (merge/);
// an approved request's task is dispatched to the best-suited members (tasks/{id}/notify/).
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')

function ask(title, placeholder) {
  return new Promise((resolve) => {
    wx.showModal({
      title,
      editable: true,
      placeholderText: placeholder,
      success: (r) => resolve(r.confirm ? (r.content || '').trim() : null),
    })
  })
}

Component({
  behaviors: [loadable],
  data: { items: [], approved: [] },
  methods: {
    onShow() {
      this.load()
    },
    onPullDownRefresh() {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async fetch() {
      const page = await api.get('requests/', { box: 'review', page_size: 50 })
      return { items: page.results, __empty: page.results.length === 0 && this.data.approved.length === 0 }
    },
    open(e) {
      wx.navigateTo({ url: '/pages/request/request?id=' + e.currentTarget.dataset.id })
    },
    async approve(e) {
      const id = e.currentTarget.dataset.id
      const row = await this.act('正在受理', () => api.post('requests/' + id + '/approve/', {}))
      if (!row) return
      wx.showToast({ title: '已受理，生成任务', icon: 'success' })
      this.setData({ approved: this.data.approved.concat([{ id: row.id, title: row.title, task_id: row.task_id }]) })
      this.load()
    },
    async reject(e) {
      const id = e.currentTarget.dataset.id
      const reason = await ask('不予受理', '请填写理由（居民可见）')
      if (reason === null) return
      if (!reason) return wx.showToast({ title: '请填写理由', icon: 'none' })
      if (await this.act('正在提交', () => api.post('requests/' + id + '/reject/', { reason }))) this.load()
    },
    async merge(e) {
      const id = e.currentTarget.dataset.id
      const into = await ask('合并到同类点单', '输入要合并到的点单编号')
      if (into === null) return
      if (!/^\d+$/.test(into)) return wx.showToast({ title: '请输入点单编号', icon: 'none' })
      if (await this.act('正在合并', () => api.post('requests/' + id + '/merge/', { into: Number(into) }))) this.load()
    },
    async dispatch(e) {
      const task = e.currentTarget.dataset.task
      const res = await this.act('正在派单', () => api.post('tasks/' + task + '/notify/', { n: 10 }))
      if (res) wx.showToast({ title: '已通知推荐党员', icon: 'success' })
    },
  },
})
