// PostGraphile 5 declares Node ≥ 22; the only newer API it calls is Promise.withResolvers
// (ES2024, Node 22). Quorum runs on Node 20, and so must the server it is compared with, or
// the comparison measures two runtimes. This is the spec's definition, for Node 20 only.
if (typeof Promise.withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers() {
      let resolve;
      let reject;
      const promise = new this((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
