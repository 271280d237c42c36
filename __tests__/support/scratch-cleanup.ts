// Runs in every test file (jest setupFilesAfterEnv): the folders the file made with scratchDir (emulator homes,
// runner workspaces, scratch repositories) are removed when the file ends, whether its tests passed or not.
import { afterAll } from '@jest/globals'
import { removeScratchDirs } from '../../testing/harness/scratch.mjs'

afterAll(removeScratchDirs)
