// What every call of the GitHub REST API sends, whoever makes it (the GitHub Deployment record, the CLI's last-success lookup).
/** The current REST media type and version, instead of Octokit's default `application/vnd.github.v3+json`. */
export const REST_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }
