"""The Telegram adapters: the frameworks behind one channel port (channels/), update JSON to the
conversations' events and their actions to Bot API calls, uploads, chat admins, the command list
and evidence files. The runtime (runtime/) drives them; see docs/layout.md."""
