"""Downloads: the datasets of ``core.exports`` as a streamed CSV, or as XLSX built in the background.

- CSV (``views.csv_download``): streamed as it is read, in keyset pages, audited when it ends.
- XLSX: a person asks on a page (the 导出 Excel button of ``templates/core/_download.html``) or
  through the API; ``services.export_job_start`` checks the scope and parameters at once and
  queues ``core.tasks.export_xlsx`` on the ``exports`` queue; the job page shows its progress and
  then a 下载 button; the file is kept a day in the private ``exports`` storage and handed out
  only by ``job_views.job_file`` to its owner, still in scope, with an audit row.
- The 数据下载 page (``views.index``) offers every dataset for the nodes the user's posts reach.
"""
