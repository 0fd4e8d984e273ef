declare module 'streamsearch' {
  type Callback = (isMatch: boolean, data: Buffer | undefined, start: number, end: number, isDataSafe: boolean) => void;
  class StreamSearch {
    constructor(needle: Buffer, callback: Callback);
    push(chunk: Buffer, pos?: number): number;
    destroy(): void;
  }
  export default StreamSearch;
}
