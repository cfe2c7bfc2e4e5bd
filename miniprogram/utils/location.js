// Locations from WeChat are GCJ-02 (wx.getLocation({type: 'gcj02'}), wx.chooseLocation): they go
// to the server as {lat, lng, coord_system: 'gcj02'} and the server converts them (API.md).
const GCJ02 = 'gcj02'

function denied(res) {
  return /auth deny|auth denied|authorize no response|permission/i.test((res && res.errMsg) || '')
}

// A user who once said no must turn location on in the settings page; offer to open it.
function askSettings() {
  return new Promise((resolve) => {
    wx.showModal({
      title: '需要位置权限',
      content: '请在设置中允许“位置信息”，用于定位问题地点和签到打卡。',
      confirmText: '去设置',
      success: (r) => {
        if (r.confirm) wx.openSetting({ complete: () => resolve() })
        else resolve()
      },
    })
  })
}

// quiet: no prompt to open the settings (pages that work without a location too).
function current({ quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    wx.getLocation({
      type: GCJ02,
      isHighAccuracy: true,
      success: (res) => resolve({ lat: res.latitude, lng: res.longitude, coord_system: GCJ02 }),
      fail: async (res) => {
        if (denied(res) && !quiet) await askSettings()
        reject(new Error(denied(res) ? '未获得位置权限，无法定位。' : '定位失败，请到开阔处重试。'))
      },
    })
  })
}

function choose() {
  return new Promise((resolve, reject) => {
    wx.chooseLocation({
      success: (res) =>
        resolve({
          lat: res.latitude,
          lng: res.longitude,
          coord_system: GCJ02,
          address: [res.address, res.name].filter(Boolean).join(' '),
        }),
      fail: async (res) => {
        if (denied(res)) await askSettings()
        reject(new Error(/cancel/.test((res && res.errMsg) || '') ? '' : '未能选择位置。'))
      },
    })
  })
}

module.exports = { GCJ02, current, choose }
