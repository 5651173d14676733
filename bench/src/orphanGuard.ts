/**
 * Preloaded (`node --import`) into a process the bench starts that does not watch its parent by itself (Hive
 * Gateway): when the bench goes away, even killed outright, the IPC channel closes and this process stops too.
 */
if (process.send !== undefined) {
  process.channel?.unref();
  process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
}
