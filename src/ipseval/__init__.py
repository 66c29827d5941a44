"""ipseval: reproducible re-analysis of Socialstyrelsen's 2013 evaluation of IPS trials."""

__version__ = "0.2.0.dev0"
