/**
 * The file-transfer machinery as one part that the page loads only when a file first moves
 * (see {@link TransfersOnDemand}): most chats never send one.
 */
export { Transfers } from './registry.js';
export { openSink, storageSpace } from './file-sink.js';
