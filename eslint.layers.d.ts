// Types of eslint.layers.js for the test that holds the lint to the layers.
import type { Linter } from 'eslint'

export const LAYERS: Record<string, string[]>
export function layerRules(): Linter.Config[]
export function layerTiers(): string[][]
export function sourceSizeRule(): Linter.Config
