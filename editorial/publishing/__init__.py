"""Publishing: a request records the decision and queues a job (requests), a worker renders the approved revision
and makes it live (jobs, run by tasks), the PDF is stored (storage), and the public versions are read (selectors)."""
