// 居民点单: what, where (wx.chooseLocation, or wx.getLocation for here; GCJ-02) and photos
// (wx.chooseMedia). Placed as JSON to requests/, then each photo to requests/{id}/photos/ one
// by one (wx.uploadFile sends one file). Consent to progress messages is asked in the same tap.
const api = require('../../utils/api')
const location = require('../../utils/location')
const session = require('../../utils/session')

const DUTIES = [
  { value: 'convenience', label: '便民服务' },
  { value: 'sanitation', label: '环境保洁' },
  { value: 'safety', label: '平安守护' },
  { value: 'affairs_coordination', label: '社务协调' },
  { value: 'poverty_relief', label: '扶贫济困' },
  { value: 'civility', label: '文明倡导' },
  { value: 'policy_publicity', label: '政策宣传' },
  { value: 'party_guidance', label: '党建指导' },
]
const MAX_PHOTOS = 3

Component({
  data: {
    duties: DUTIES,
    dutyIndex: 0,
    title: '',
    description: '',
    address: '',
    place: null,
    contactPhone: '',
    photos: [],
    submitting: false,
    progress: '',
  },
  methods: {
    onLoad() {
      // The template ids come from me/; load them if this page is the first one opened.
      session.load().catch(() => {})
    },
    onDuty(e) {
      this.setData({ dutyIndex: Number(e.detail.value) })
    },
    onInput(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value })
    },
    async choosePlace() {
      try {
        const place = await location.choose()
        this.setData({ place, address: place.address || this.data.address })
      } catch (err) {
        if (err.message) wx.showToast({ title: err.message, icon: 'none' })
      }
    },
    async locateHere() {
      try {
        const place = await location.current()
        this.setData({ place })
      } catch (err) {
        wx.showToast({ title: err.message, icon: 'none' })
      }
    },
    choosePhotos() {
      const left = MAX_PHOTOS - this.data.photos.length
      if (left <= 0) return
      wx.chooseMedia({
        count: left,
        mediaType: ['image'],
        sourceType: ['album', 'camera'],
        sizeType: ['compressed'],
        success: (res) => this.setData({ photos: this.data.photos.concat(res.tempFiles.map((f) => f.tempFilePath)).slice(0, MAX_PHOTOS) }),
      })
    },
    removePhoto(e) {
      const photos = this.data.photos.slice()
      photos.splice(Number(e.currentTarget.dataset.index), 1)
      this.setData({ photos })
    },
    body() {
      const d = this.data
      const body = {
        duty: d.duties[d.dutyIndex].value,
        title: d.title.trim(),
        description: d.description.trim(),
        address: d.address.trim(),
        lat: d.place.lat,
        lng: d.place.lng,
        coord_system: d.place.coord_system,
      }
      if (d.contactPhone.trim()) body.contact_phone = d.contactPhone.trim()
      return body
    },
    async submit() {
      const d = this.data
      if (!d.title.trim() || !d.description.trim()) return wx.showToast({ title: '请填写标题和问题描述', icon: 'none' })
      if (!d.place) return wx.showToast({ title: '请选择问题地点', icon: 'none' })
      if (!d.address.trim()) return wx.showToast({ title: '请填写详细地址', icon: 'none' })
      await session.subscribe()
      this.setData({ submitting: true, progress: '正在提交…' })
      let created
      try {
        created = await api.post('requests/', this.body())
      } catch (err) {
        this.setData({ submitting: false, progress: '' })
        api.showError(err)
        return
      }
      const failed = []
      for (let i = 0; i < d.photos.length; i++) {
        this.setData({ progress: '正在上传照片 ' + (i + 1) + '/' + d.photos.length })
        try {
          await api.upload('requests/' + created.id + '/photos/', d.photos[i], 'photo')
        } catch (err) {
          failed.push(err.message)
        }
      }
      this.setData({ submitting: false, progress: '' })
      if (failed.length) {
        wx.showModal({ title: '点单已提交', content: failed.length + ' 张照片未能上传：' + failed[0], showCancel: false })
      } else {
        wx.showToast({ title: '点单已提交', icon: 'success' })
      }
      wx.redirectTo({ url: '/pages/request/request?id=' + created.id })
    },
  },
})
