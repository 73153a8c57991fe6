"""The use cases: the domain work of one transaction each, in the caller's unit of work, with
no texts and no keyboards. Every door (the chat, Open311, the console, the tests) changes
reports through here; ``cases`` imports only ``core`` and ``storage`` (docs/cases.md)."""
