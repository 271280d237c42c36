// Folders of the test's own, removed after each test whatever happens, and the paths that are not regular files a
// user can hand the project: a FIFO, a unix socket, a device, a folder.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** `make(prefix)` gives a new temp folder; every one made is removed after each test, and any socket closed. */
export function tempFolders(): { make(prefix?: string): string; socketIn(dir: string, name?: string): Promise<string> } {
  const made: string[] = []
  const servers: net.Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return {
    make(prefix = 'files-') {
      const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
      made.push(dir)
      return dir
    },
    /** A listening unix socket at `dir/name`. */
    async socketIn(dir, name = 'socket') {
      const file = path.join(dir, name)
      const server = net.createServer()
      servers.push(server)
      await new Promise<void>((resolve) => server.listen(file, resolve))
      return file
    },
  }
}

/** A FIFO at `dir/name` with no writer: a read that waited for one would wait for ever. */
export function fifoIn(dir: string, name = 'fifo'): string {
  const file = path.join(dir, name)
  const made = spawnSync('mkfifo', [file])
  if (made.status !== 0) throw new Error(`mkfifo ${file}: ${made.stderr}`)
  return file
}

/** The special files of the class, by name: each must be refused at once, never read. */
export async function notRegularFiles(dir: string, folders: ReturnType<typeof tempFolders>): Promise<Record<string, string>> {
  mkdirSync(path.join(dir, 'folder'))
  return {
    FIFO: fifoIn(dir),
    socket: await folders.socketIn(dir),
    device: '/dev/zero',
    folder: path.join(dir, 'folder'),
  }
}
