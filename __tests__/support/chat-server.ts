// A loopback HTTP server speaking the OpenAI chat-completions shape, for real-mode tests.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ChatServer {
  baseUrl: string
  requests: { path: string; authorization: string | undefined; body: any }[]
  close(): Promise<void>
}

export async function startChatServer(reply = 'hello from the loopback provider'): Promise<ChatServer> {
  const requests: ChatServer['requests'] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const parsed = JSON.parse(body || '{}')
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body: parsed })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          id: 'chatcmpl-loopback-1',
          object: 'chat.completion',
          created: 1,
          model: parsed.model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
