declare module "autocannon" {
  interface Options { url: string; connections?: number; duration?: number; method?: string; headers?: Record<string, string>; body?: string }
  interface Result { errors: number; timeouts: number; non2xx: number; requests: { average: number } }
  interface Instance extends PromiseLike<Result> { on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void }
  function autocannon(opts: Options): Instance;
  export default autocannon;
}
