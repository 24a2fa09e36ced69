// Preloaded into chaincode servers the devnet spawns: when the devnet dies, even by SIGKILL, its
// IPC channel closes and the chaincode exits instead of holding its port as an orphan.
'use strict';
if (typeof process.send === 'function') {
  process.on('disconnect', () => process.exit(0));
}
