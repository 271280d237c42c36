// The rules of the action's own client environment: where it lives, its cache key, its marker, and what a failed
// venv or pip install printed means (with the texts the real tools print).
import {
  clientCacheKey,
  clientEnvironmentDir,
  hasCacheService,
  isSupportedPython,
  judgeInstallFailure,
  markerMatches,
  markerText,
  parsePythonFacts,
  toolCacheRoot,
} from '../../src/rules/client-install.js'

// pip 23 on Debian 12's python3 (the runner's system Python without actions/setup-python).
const PEP_668 = `error: externally-managed-environment

× This environment is externally managed
╰─> To install Python packages system-wide, try apt install
    python3-xyz, where xyz is the package you are trying to
    install.

    If you wish to install a non-Debian-packaged Python package,
    create a virtual environment using python3 -m venv path/to/venv.

note: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.
hint: See PEP 668 for the detailed specification.`

// Debian's venv when python3-venv is not installed (ensurepip is split out).
const NO_ENSUREPIP = `The virtual environment was not created successfully because ensurepip is not
available.  On Debian/Ubuntu systems, you need to install the python3-venv
package using the following command.

    apt install python3.12-venv

You may need to use sudo with that command.  After installing the python3-venv
package, recreate your virtual environment.

Failing command: /opt/hostedtoolcache/modal-processor-deploy/1.5.4/3.12.3/bin/python3.12`

const NO_NETWORK = `WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/modal/
ERROR: Could not find a version that satisfies the requirement modal==1.5.4 (from versions: none)
ERROR: No matching distribution found for modal==1.5.4`

const NO_SUCH_VERSION = `ERROR: Could not find a version that satisfies the requirement modal==9.9.9 (from versions: 1.5.3, 1.5.4)
ERROR: No matching distribution found for modal==9.9.9`

describe('judgeInstallFailure', () => {
  test('pip refused by PEP 668', () => {
    expect(judgeInstallFailure('pip', PEP_668)).toMatchObject({ code: 'ERR_PYTHON_EXTERNALLY_MANAGED', kind: 'externally-managed' })
  })

  test("Debian's venv without ensurepip names the package to install", () => {
    const verdict = judgeInstallFailure('venv', NO_ENSUREPIP)
    expect(verdict).toMatchObject({ code: 'ERR_PYTHON_VENV_MISSING', kind: 'venv-missing' })
    expect(verdict.reason).toContain('apt-get install python3.12-venv')
  })

  test('a Python without the venv module at all', () => {
    const verdict = judgeInstallFailure('venv', '/usr/bin/python3: No module named venv')
    expect(verdict).toMatchObject({ code: 'ERR_PYTHON_VENV_MISSING' })
    expect(verdict.reason).toContain('apt-get install python3-venv')
  })

  test('a network failure is told apart from a version the index does not have', () => {
    expect(judgeInstallFailure('pip', NO_NETWORK)).toMatchObject({ code: 'ERR_MODAL_INSTALL_FAILED', kind: 'network' })
    expect(judgeInstallFailure('pip', NO_SUCH_VERSION)).toMatchObject({ code: 'ERR_MODAL_INSTALL_FAILED', kind: 'not-found' })
  })

  test('anything else is an install failure that says which step failed', () => {
    expect(judgeInstallFailure('pip', 'ERROR: disk full')).toEqual({
      code: 'ERR_MODAL_INSTALL_FAILED',
      kind: 'other',
      reason: 'pip install failed',
    })
    expect(judgeInstallFailure('venv', 'Error: [Errno 13] Permission denied').reason).toBe('python -m venv failed')
  })

  test('a pip message that mentions venv is not taken for a missing venv module', () => {
    expect(judgeInstallFailure('pip', NO_ENSUREPIP).code).toBe('ERR_MODAL_INSTALL_FAILED')
  })
})

describe('where the environment lives', () => {
  test('under RUNNER_TOOL_CACHE, by modal-version then Python version', () => {
    const root = toolCacheRoot({ RUNNER_TOOL_CACHE: '/opt/hostedtoolcache', RUNNER_TEMP: '/home/runner/work/_temp' }, '/tmp')
    expect(clientEnvironmentDir(root, '1.5.4', '3.12.3')).toBe('/opt/hostedtoolcache/modal-processor-deploy/1.5.4/3.12.3')
  })

  test('without a tool cache: the runner temp, else the system temp; never a relative folder', () => {
    expect(toolCacheRoot({ RUNNER_TEMP: '/home/runner/work/_temp' }, '/tmp')).toBe('/home/runner/work/_temp')
    expect(toolCacheRoot({ RUNNER_TOOL_CACHE: 'relative/cache' }, '/tmp')).toBe('/tmp')
    expect(toolCacheRoot({}, '/tmp')).toBe('/tmp')
  })

  test('a trailing slash does not double', () => {
    expect(clientEnvironmentDir('/cache/', '1.5.4', '3.11.2')).toBe('/cache/modal-processor-deploy/1.5.4/3.11.2')
  })
})

describe('the cache key', () => {
  const base = { os: 'linux', arch: 'x64', pythonVersion: '3.12.3', modalVersion: '1.5.4' }

  test('names OS, architecture, Python version and modal-version', () => {
    expect(clientCacheKey(base)).toBe('modal-processor-deploy-client-linux-x64-python3.12.3-modal1.5.4-v1')
  })

  test('differs when any of them does', () => {
    const keys = new Set(
      [
        base,
        { ...base, os: 'darwin' },
        { ...base, arch: 'arm64' },
        { ...base, pythonVersion: '3.12.4' },
        { ...base, modalVersion: '1.5.3' },
      ].map(clientCacheKey),
    )
    expect(keys.size).toBe(5)
  })

  test('has no comma (the cache service refuses one) whatever it is given', () => {
    expect(clientCacheKey({ ...base, arch: 'x,64 y' })).not.toMatch(/[, ]/)
  })
})

describe('the marker', () => {
  const marker = { modalVersion: '1.5.4', pythonVersion: '3.12.3', baseExecutable: '/usr/bin/python3.12' }

  test('matches only what it was written for', () => {
    expect(markerMatches(markerText(marker), marker)).toBe(true)
    expect(markerMatches(markerText(marker), { ...marker, modalVersion: '1.5.3' })).toBe(false)
    expect(markerMatches(markerText(marker), { ...marker, baseExecutable: '/opt/python/bin/python3.12' })).toBe(false)
  })

  test('a missing, cut or foreign marker is no marker', () => {
    expect(markerMatches(null, marker)).toBe(false)
    expect(markerMatches(markerText(marker).slice(0, 20), marker)).toBe(false)
    expect(markerMatches('[]', marker)).toBe(false)
  })
})

describe('the interpreter', () => {
  test("its facts are read from the script's two lines", () => {
    expect(parsePythonFacts('3.12.3\n/usr/bin/python3.12\n')).toEqual({ version: '3.12.3', executable: '/usr/bin/python3.12' })
    expect(parsePythonFacts('3.13.0rc1\n/x/python\n')).toEqual({ version: '3.13.0rc1', executable: '/x/python' })
    expect(parsePythonFacts('Python 3.12\n')).toBeNull()
    expect(parsePythonFacts('3.12.3\n')).toBeNull()
  })

  test.each([
    ['3.9.18', false],
    ['3.10.0', true],
    ['3.13.1', true],
    ['4.0.0', true],
    ['2.7.18', false],
  ])('Python %s supported: %s', (version, supported) => {
    expect(isSupportedPython(version)).toBe(supported)
  })

  test('a cache service is there when either of its addresses is set', () => {
    expect(hasCacheService({})).toBe(false)
    expect(hasCacheService({ ACTIONS_CACHE_URL: 'https://cache.example/' })).toBe(true)
    expect(hasCacheService({ ACTIONS_RESULTS_URL: 'https://results.example/' })).toBe(true)
    expect(hasCacheService({ ACTIONS_CACHE_URL: '' })).toBe(false)
  })
})
