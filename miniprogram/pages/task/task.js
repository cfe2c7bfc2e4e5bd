// 任务详情: accept (tasks/{id}/accept/) or withdraw; on the day, check in at the place by location
// (GCJ-02) after the one-time consent to location processing (location-consent/), then check out.
const api = require('../../utils/api')
const loadable = require('../../behaviors/loadable')
const location = require('../../utils/location')

Component({
  behaviors: [loadable],
  data: { id: null, task: null, mine: null, consent: null },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) })
      this.load()
    },
    async fetch() {
      const [task, acceptances, consent] = await Promise.all([
        api.get('tasks/' + this.data.id + '/'),
        api.get('acceptances/', { status: 'accepted', page_size: 100 }),
        api.get('location-consent/').catch(() => null),
      ])
      let mine = acceptances.results.find((a) => a.task === this.data.id) || null
      if (!mine) {
        const inProgress = await api.get('acceptances/', { status: 'checked_in', page_size: 100 })
        mine = inProgress.results.find((a) => a.task === this.data.id) || null
      }
      return { task, mine, consent }
    },
    async accept() {
      const mine = await this.act('正在接单', () => api.post('tasks/' + this.data.id + '/accept/'))
      if (mine) {
        wx.showToast({ title: '接单成功', icon: 'success' })
        this.load()
      }
    },
    withdraw() {
      wx.showModal({
        title: '退出接单',
        content: '确定退出这个任务吗？临近开始时退出会记录在案。',
        success: async (r) => {
          if (!r.confirm) return
          const mine = await this.act('正在退出', () => api.post('acceptances/' + this.data.mine.id + '/withdraw/'))
          if (mine) this.load()
        },
      })
    },
    async agree() {
      const consent = await this.act('正在提交', () => api.post('location-consent/'))
      if (consent) this.setData({ consent })
    },
    async checkIn() {
      let here
      try {
        here = await location.current()
      } catch (err) {
        return wx.showToast({ title: err.message, icon: 'none' })
      }
      const mine = await this.act('正在签到', () => api.post('acceptances/' + this.data.mine.id + '/check-in/', here))
      if (mine) {
        this.setData({ mine })
        wx.showToast({ title: '签到成功', icon: 'success' })
      }
    },
    async checkOut() {
      const mine = await this.act('正在签退', () => api.post('acceptances/' + this.data.mine.id + '/check-out/'))
      if (mine) {
        this.setData({ mine })
        wx.showToast({ title: '已签退，待社区确认时长', icon: 'none' })
      }
    },
  },
})
