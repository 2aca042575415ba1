export class HttpSource { constructor(readonly name: string) { throw new Error("todo"); } }
