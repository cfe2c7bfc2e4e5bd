"""The API load benchmark's set-up: who calls, with which tokens, on what data; and the server it runs."""
