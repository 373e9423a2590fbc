"""The one client of Stringee's REST API: tokens, the HTTP client, the account's numbers, outbound
calls, project creation, and the worker's jobs that keep the inventory and Stringee agreeing
(docs/stringee.md). Nothing else in the tree speaks to Stringee, and only the background worker
(or a management command) calls it."""
