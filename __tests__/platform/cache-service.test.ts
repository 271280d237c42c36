// The cache service through @actions/cache, for real: a folder saved under a key comes back whole on a runner that
// does not have it, through a cache service on loopback that speaks the service's v1 HTTP API (reserve, upload in
// ranges, commit, look up, download). Without a service, nothing is restored or saved, and nothing is said.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { actionsCache } from '../../src/platform/cache-service.js'
import { loopbackCacheService } from '../../testing/harness/cache-service.mjs'
import { scratchDir } from '../../testing/harness/scratch.mjs'

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
