// The privacy agreement, shown when WeChat asks (utils/privacy): the user reads the guide
// (wx.openPrivacyContract) and agrees with WeChat's agreePrivacyAuthorization button.
const privacy = require('../../utils/privacy')

Component({
  data: { show: false },
  lifetimes: {
    attached() {
      privacy.register(this)
    },
    detached() {
      privacy.unregister(this)
    },
  },
  methods: {
    open() {
      this.setData({ show: true })
    },
    openContract() {
      wx.openPrivacyContract({})
    },
    agree() {
      this.setData({ show: false })
      privacy.answer('agree', 'agree-privacy')
    },
    disagree() {
      this.setData({ show: false })
      privacy.answer('disagree')
    },
  },
})
