"""Downloads: the datasets of ``core.exports`` as XLSX files built in the background.

A person asks for a download on a page (the 导出 Excel button of ``templates/core/_download.html``)
or through the API; ``services.export_job_start`` checks the scope and parameters at once and
queues ``core.tasks.export_xlsx`` on the ``exports`` queue; the job page shows its progress and
then a 下载 button; the file is kept a day in the private ``exports`` storage and handed out
only by ``views.job_file`` to its owner, still in scope, with an audit row.
"""
