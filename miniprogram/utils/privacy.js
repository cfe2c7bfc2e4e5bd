// WeChat's privacy-agreement flow (隐私协议): when a private API is first called, WeChat calls the
// handler registered with wx.onNeedPrivacyAuthorization and waits. The <privacy-popup> component
// on each page that calls such APIs shows the agreement and answers with the user's choice
// through an agreePrivacyAuthorization button, as WeChat requires.
const popups = []
let pending = null

function listen() {
  if (typeof wx.onNeedPrivacyAuthorization !== 'function') return
  wx.onNeedPrivacyAuthorization((resolve) => {
    pending = resolve
    const popup = popups[popups.length - 1]
    if (popup) popup.open()
    else resolve({ event: 'disagree' })
  })
}

function register(popup) {
  popups.push(popup)
}

function unregister(popup) {
  const i = popups.indexOf(popup)
  if (i >= 0) popups.splice(i, 1)
}

function answer(event, buttonId) {
  if (!pending) return
  const resolve = pending
  pending = null
  resolve(event === 'agree' ? { event, buttonId } : { event })
}

module.exports = { listen, register, unregister, answer }
