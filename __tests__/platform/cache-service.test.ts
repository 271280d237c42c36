// The cache service through @actions/cache, for real: a folder saved under a key comes back whole on a runner that
// does not have it, through a cache service on loopback that speaks the service's v1 HTTP API (reserve, upload in
// ranges, commit, look up, download). Without a service, nothing is restored or saved, and nothing is said.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { actionsCache } from '../../src/platform/cache-service.js'
import { scratchDir } from '../../testing/harness/scratch.mjs'

/** The cache service's v1 API on loopback, keeping archives in memory. */
async function loopbackCacheService(): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const entries = new Map<string, Buffer>() // `${key} ${version}` → archive
  const uploads = new Map<number, { key: string; version: string; chunks: [number, Buffer][] }>()
  const requests: string[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const url = new URL(req.url ?? '/', 'http://loopback')
      requests.push(`${req.method} ${url.pathname}`)
      const json = (status: number, value?: unknown) => {
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
        const { key, version } = JSON.parse(body.toString()) as { key: string; version: string }
        const cacheId = uploads.size + 1
        uploads.set(cacheId, { key, version, chunks: [] })
        return json(201, { cacheId })
      }
      if (req.method === 'PATCH' && uploads.has(id)) {
        const start = Number(/bytes (\d+)-/.exec(req.headers['content-range'] ?? '')?.[1])
        uploads.get(id)!.chunks.push([start, body])
        return json(204)
      }
      if (req.method === 'POST' && uploads.has(id)) {
        const upload = uploads.get(id)!
        const archive = Buffer.concat(upload.chunks.sort((a, b) => a[0] - b[0]).map(([, chunk]) => chunk))
        entries.set(`${upload.key} ${upload.version}`, archive)
        return json(204)
      }
      json(404, { message: 'not found' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url: `${address}/`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

describe('actionsCache', () => {
  const saved = { ...process.env }
  afterEach(() => {
    process.env = { ...saved }
  })

  test('is null without a cache service', () => {
    delete process.env.ACTIONS_CACHE_URL
    delete process.env.ACTIONS_RESULTS_URL
    delete process.env.ACTIONS_CACHE_SERVICE_V2
    expect(actionsCache()).toBeNull()
  })

  test('saves a folder under a key and restores it whole where it is missing; an unknown key restores nothing', async () => {
    const service = await loopbackCacheService()
    try {
      delete process.env.ACTIONS_CACHE_SERVICE_V2
      process.env.ACTIONS_CACHE_URL = service.url
      process.env.ACTIONS_RUNTIME_TOKEN = 'runtime-token-for-tests'
      process.env.RUNNER_TEMP = scratchDir('runner-temp-')
      const folder = path.join(scratchDir('tool-cache-'), 'modal-processor-deploy', '1.5.4', '3.11.2')
      mkdirSync(path.join(folder, 'bin'), { recursive: true })
      writeFileSync(path.join(folder, 'bin', 'modal'), '#!/bin/sh\n', { mode: 0o755 })
      writeFileSync(path.join(folder, 'modal-processor-deploy-complete.json'), '{"modalVersion":"1.5.4"}\n')
      const cache = actionsCache()!
      await cache.save(folder, 'modal-processor-deploy-client-test-v1')
      expect(service.requests.filter((r) => r.startsWith('POST'))).toHaveLength(2) // reserve, commit
      rmSync(folder, { recursive: true })
      expect(await cache.restore(folder, 'another-key')).toBe(false)
      expect(existsSync(folder)).toBe(false)
      expect(await cache.restore(folder, 'modal-processor-deploy-client-test-v1')).toBe(true)
      expect(readFileSync(path.join(folder, 'modal-processor-deploy-complete.json'), 'utf8')).toBe('{"modalVersion":"1.5.4"}\n')
      expect(readFileSync(path.join(folder, 'bin', 'modal'), 'utf8')).toBe('#!/bin/sh\n')
    } finally {
      await service.close()
    }
  })
})
