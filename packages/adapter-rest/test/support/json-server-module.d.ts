// json-server 0.17 ships no types; this is the part the tests use.
declare module 'json-server' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  type Handler = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void
  interface App {
    (request: IncomingMessage, response: ServerResponse): void
    use(handler: Handler | Handler[]): void
  }
  const jsonServer: {
    create(): App
    router(source: string): Handler
    defaults(options?: { logger?: boolean; noCors?: boolean; readOnly?: boolean }): Handler[]
  }
  export default jsonServer
}
