export const ACTION_UNDER_TEST: string
export function prepareActionUnderTest(dir: string): Promise<string>
