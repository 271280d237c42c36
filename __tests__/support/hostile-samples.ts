// Samples of hostile text that several test files hand the project, and the check they make of what comes out.

/** A control a terminal acts on: C0 but tab and line feed, DEL, C1. */
// eslint-disable-next-line no-control-regex -- finding controls is the point
export const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

/** The lines of a (made-up) private key: each one a secret on its own once the key is one. */
export const PEM_LINES = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
]
export const PEM = ['-----BEGIN PRIVATE KEY-----', ...PEM_LINES, '-----END PRIVATE KEY-----'].join('\n')
