// What a community's report-for-duty QR code holds: the community's token (reporting's
// VisitCode), either bare or as a link with ?token=… and, optionally, &community=<id>.
// Without a community the server takes the one the member is registered with.
function parseCode(text) {
  const raw = String(text || '').trim()
  const m = raw.match(/[?&]token=([^&#]+)/)
  if (!m) return { token: raw }
  const c = raw.match(/[?&]community=(\d+)/)
  const out = { token: decodeURIComponent(m[1]) }
  if (c) out.community = Number(c[1])
  return out
}

module.exports = { parseCode }
