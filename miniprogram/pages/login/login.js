// 登录: 微信一键登录 (wx.login → auth/wechat/); on first use the server answers bind_required
// with a ticket, and the user binds a phone with a one-time code (auth/code/, auth/wechat/bind/).
const api = require('../../utils/api')

Component({
  data: { ticket: '', phone: '', code: '', sending: false, countdown: 0, busy: false },
  methods: {
    onLoad(query) {
      if (query && query.ticket) this.setData({ ticket: decodeURIComponent(query.ticket) })
    },
    onUnload() {
      clearInterval(this.timer)
    },
    async signIn() {
      this.setData({ busy: true })
      try {
        await api.signIn()
        this.done()
      } catch (err) {
        if (err.code === 'bind_required') this.setData({ ticket: err.data.ticket })
        else api.showError(err)
      }
      this.setData({ busy: false })
    },
    onPhone(e) {
      this.setData({ phone: e.detail.value })
    },
    onCode(e) {
      this.setData({ code: e.detail.value })
    },
    async sendCode() {
      if (!/^1\d{10}$/.test(this.data.phone)) {
        wx.showToast({ title: '请输入 11 位手机号', icon: 'none' })
        return
      }
      this.setData({ sending: true })
      try {
        const res = await api.sendCode(this.data.phone)
        wx.showToast({ title: '验证码已发送', icon: 'success' })
        if (res && res.debug_code) this.setData({ code: res.debug_code })
        this.setData({ countdown: 60 })
        this.timer = setInterval(() => {
          const left = this.data.countdown - 1
          this.setData({ countdown: left })
          if (left <= 0) clearInterval(this.timer)
        }, 1000)
      } catch (err) {
        api.showError(err)
      }
      this.setData({ sending: false })
    },
    async bind() {
      const { ticket, phone, code } = this.data
      if (!phone || !code) {
        wx.showToast({ title: '请填写手机号和验证码', icon: 'none' })
        return
      }
      this.setData({ busy: true })
      try {
        await api.bindPhone({ ticket, phone, code })
        this.done()
      } catch (err) {
        // A spent ticket: start over with a fresh wx.login.
        if (err.code === 'ticket_invalid' || err.code === 'ticket_expired') this.setData({ ticket: '' })
        api.showError(err)
      }
      this.setData({ busy: false })
    },
    done() {
      wx.showToast({ title: '登录成功', icon: 'success' })
      wx.switchTab({ url: '/pages/index/index' })
    },
  },
})
