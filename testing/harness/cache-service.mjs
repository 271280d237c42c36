// A stand-in for the runner's cache service, for tests of @actions/cache: its v1 HTTP API on loopback.
import { Buffer } from 'node:buffer'
import http from 'node:http'

/**
 * The cache service's v1 API on loopback (what ACTIONS_CACHE_URL points at), keeping archives in memory: reserve,
 * upload in ranges, commit, look up by key and version, download. `requests` lists what was asked, in order.
 */
export async function loopbackCacheService() {
  const entries = new Map() // `${key} ${version}` → archive
  const uploads = new Map()
  const requests = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const url = new URL(req.url ?? '/', 'http://loopback')
      requests.push(`${req.method} ${url.pathname}`)
      const json = (status, value) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(value === undefined ? undefined : JSON.stringify(value))
      }
      const id = Number(/\/caches\/(\d+)$/.exec(url.pathname)?.[1])
      if (req.method === 'GET' && url.pathname === '/_apis/artifactcache/cache') {
        const key = url.searchParams.get('keys') ?? ''
        const found = entries.has(`${key} ${url.searchParams.get('version')}`)
        return found
          ? json(200, {
              cacheKey: key,
              archiveLocation: `${address}/archives/${encodeURIComponent(`${key} ${url.searchParams.get('version')}`)}`,
            })
          : json(204)
      }
      if (req.method === 'GET' && url.pathname.startsWith('/archives/')) {
        const archive = entries.get(decodeURIComponent(url.pathname.slice('/archives/'.length)))
        res.writeHead(archive ? 200 : 404, { 'content-length': archive?.length ?? 0 })
        return res.end(archive)
      }
      if (req.method === 'POST' && url.pathname === '/_apis/artifactcache/caches') {
        const { key, version } = JSON.parse(body.toString())
        const cacheId = uploads.size + 1
        uploads.set(cacheId, { key, version, chunks: [] })
        return json(201, { cacheId })
      }
      if (req.method === 'PATCH' && uploads.has(id)) {
        const start = Number(/bytes (\d+)-/.exec(req.headers['content-range'] ?? '')?.[1])
        uploads.get(id).chunks.push([start, body])
        return json(204)
      }
      if (req.method === 'POST' && uploads.has(id)) {
        const upload = uploads.get(id)
        const archive = Buffer.concat(upload.chunks.sort((a, b) => a[0] - b[0]).map(([, chunk]) => chunk))
        entries.set(`${upload.key} ${upload.version}`, archive)
        return json(204)
      }
      json(404, { message: 'not found' })
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = `http://127.0.0.1:${server.address().port}`
  return { url: `${address}/`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
