"""ipseval: reproducible re-analysis of Socialstyrelsen's 2013 evaluation of IPS trials."""

__version__ = "0.1.0"
